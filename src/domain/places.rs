//! Places and distances: coordinates typed by people, French communes
//! from the gazetteer, great-circle distances and the boxes that prefilter
//! them in SQL. Used by the directory's search by place and by project
//! forms (a place without coordinates gets its commune's).

use super::{
    gazetteer::{Gazetteer, Place, PlaceError},
    DomainResult, Refusal,
};
use crate::domain::store::directory::{fold, BoundingBox};

/// Mean radius of the Earth, km.
const EARTH_RADIUS_KM: f64 = 6371.0088;

/// Great-circle distance in km between two points given in degrees
/// (haversine formula, mean Earth radius).
pub fn haversine_km(from: (f64, f64), to: (f64, f64)) -> f64 {
    let (lat1, lon1) = (from.0.to_radians(), from.1.to_radians());
    let (lat2, lon2) = (to.0.to_radians(), to.1.to_radians());
    let half_chord = ((lat2 - lat1) / 2.0).sin().powi(2)
        + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * half_chord.sqrt().min(1.0).asin()
}

/// The box of latitudes and longitudes holding every point within
/// `radius_km` of `centre`, for the SQL prefilter; a little larger than
/// the circle, never smaller.
pub fn bounding_box(centre: (f64, f64), radius_km: f64) -> BoundingBox {
    let (latitude, longitude) = centre;
    let angle = (radius_km / EARTH_RADIUS_KM).to_degrees();
    let min_latitude = latitude - angle;
    let max_latitude = latitude + angle;
    if min_latitude <= -90.0 || max_latitude >= 90.0 {
        // Around a pole every longitude is close.
        return BoundingBox {
            min_latitude: min_latitude.max(-90.0),
            max_latitude: max_latitude.min(90.0),
            min_longitude: -180.0,
            max_longitude: 180.0,
        };
    }
    // The widest longitude span of the circle, at the latitude where its
    // edge is tangent to a meridian.
    let spread = ((radius_km / EARTH_RADIUS_KM).sin() / latitude.to_radians().cos())
        .min(1.0)
        .asin()
        .to_degrees();
    if spread >= 180.0 - f64::EPSILON {
        return BoundingBox {
            min_latitude,
            max_latitude,
            min_longitude: -180.0,
            max_longitude: 180.0,
        };
    }
    let wrap = |value: f64| {
        if value < -180.0 {
            value + 360.0
        } else if value > 180.0 {
            value - 360.0
        } else {
            value
        }
    };
    BoundingBox {
        min_latitude,
        max_latitude,
        min_longitude: wrap(longitude - spread),
        max_longitude: wrap(longitude + spread),
    }
}

/// Reads `latitude, longitude` in decimal degrees ("48.11, -1.68",
/// "48.11 -1.68", "48,11; -1,68"); `None` when the text is not two
/// numbers.
fn coordinates(text: &str) -> Option<(f64, f64)> {
    let text = text.trim();
    let (first, second) = if let Some(pair) = text.split_once(';') {
        (pair.0.replace(',', "."), pair.1.replace(',', "."))
    } else if text.matches(',').count() == 1 {
        let (a, b) = text.split_once(',')?;
        (a.to_string(), b.to_string())
    } else {
        let mut parts = text.split_whitespace();
        let pair = (parts.next()?.to_string(), parts.next()?.to_string());
        if parts.next().is_some() {
            return None;
        }
        pair
    };
    let number = |raw: &str| -> Option<f64> {
        let raw = raw.trim();
        let numeric = !raw.is_empty()
            && raw
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+'));
        numeric.then(|| raw.parse().ok()).flatten()
    };
    Some((number(&first)?, number(&second)?))
}

/// Where a place typed in a search is: coordinates, or a commune of the
/// gazetteer.
pub fn locate(place: &str) -> DomainResult<(String, f64, f64)> {
    if let Some((latitude, longitude)) = coordinates(place) {
        let valid = latitude.is_finite()
            && longitude.is_finite()
            && latitude.abs() <= 90.0
            && longitude.abs() <= 180.0;
        if !valid {
            return Err(Refusal::InvalidCoordinates("place".into()).into());
        }
        return Ok((format!("{latitude}, {longitude}"), latitude, longitude));
    }
    match Gazetteer::get().find(place) {
        Ok(found) => {
            let (latitude, longitude) = found.position();
            Ok((found.label(), latitude, longitude))
        }
        Err(PlaceError::Unknown) => Err(Refusal::PlaceUnknown("place".into()).into()),
        Err(PlaceError::Ambiguous(candidates)) => {
            let queries: Vec<String> = candidates.iter().map(|c| c.precise_query()).collect();
            Err(Refusal::PlaceAmbiguous(format!("place: one of {}", queries.join("; "))).into())
        }
    }
}

/// The precise queries of the communes an ambiguous place may be, for
/// the form to offer ("Saint-Denis 93"…); empty when it is not ambiguous.
pub fn place_suggestions(place: &str) -> Vec<String> {
    match Gazetteer::get().find(place) {
        Err(PlaceError::Ambiguous(candidates)) => {
            candidates.iter().map(|c| c.precise_query()).collect()
        }
        _ => Vec::new(),
    }
}

/// The position of a project's place, when it names one commune of the
/// gazetteer and the country is France (or not given). A postal code
/// shared by several communes names none.
pub fn commune_position(place: &str, country: &str) -> Option<(f64, f64)> {
    let country = fold(country.trim());
    if !matches!(country.as_str(), "" | "france" | "fr") || place.trim().is_empty() {
        return None;
    }
    match Gazetteer::get().find(place) {
        Ok(Place::Commune(commune)) => Some((commune.latitude, commune.longitude)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn haversine_gives_known_distances() {
        let rennes = (48.1118, -1.6819);
        let brest = (48.4004, -4.5023);
        let km = haversine_km(rennes, brest);
        assert!((205.0..=215.0).contains(&km), "Rennes–Brest {km} km");
        assert!(haversine_km(rennes, rennes).abs() < 1e-9);
        // Paris–New York, about 5,837 km.
        let km = haversine_km((48.8566, 2.3522), (40.7128, -74.0060));
        assert!((5800.0..=5870.0).contains(&km), "{km}");
    }

    #[test]
    fn the_bounding_box_holds_the_circle() {
        let rennes = (48.1118, -1.6819);
        let area = bounding_box(rennes, 50.0);
        assert!(area.min_latitude < 47.7 && area.max_latitude > 48.5);
        assert!(area.min_longitude < -2.2 && area.max_longitude > -1.1);
        // Points 49.9 km away in eight directions are inside.
        for bearing in 0..8 {
            let angle = f64::from(bearing) * std::f64::consts::FRAC_PI_4;
            let (dlat, dlon) = (angle.cos() * 49.9 / 111.2, angle.sin() * 49.9 / 74.2);
            let point = (rennes.0 + dlat, rennes.1 + dlon);
            if haversine_km(rennes, point) <= 50.0 {
                assert!(
                    (area.min_latitude..=area.max_latitude).contains(&point.0)
                        && (area.min_longitude..=area.max_longitude).contains(&point.1),
                    "{point:?}"
                );
            }
        }
        // Across the antimeridian the box wraps; near a pole it is whole.
        let fiji = bounding_box((-17.7, 179.9), 100.0);
        assert!(fiji.min_longitude > fiji.max_longitude);
        let pole = bounding_box((89.9, 0.0), 50.0);
        assert_eq!((pole.min_longitude, pole.max_longitude), (-180.0, 180.0));
    }

    #[test]
    fn places_are_coordinates_or_communes() {
        assert_eq!(coordinates("48.11, -1.68"), Some((48.11, -1.68)));
        assert_eq!(coordinates("48.11 -1.68"), Some((48.11, -1.68)));
        assert_eq!(coordinates("48,11; -1,68"), Some((48.11, -1.68)));
        assert_eq!(coordinates("Rennes"), None);
        assert_eq!(coordinates("Saint-Denis 93"), None);
        let (label, latitude, _) = locate("rennes").unwrap();
        assert_eq!(label, "Rennes (35)");
        assert!((latitude - 48.11).abs() < 0.05);
        assert_eq!(locate("91, 0").unwrap_err().code(), "invalid_coordinates");
        assert_eq!(locate("Atlantide").unwrap_err().code(), "place_unknown");
        let ambiguous = locate("Saint-Denis").unwrap_err();
        assert_eq!(ambiguous.code(), "place_ambiguous");
        assert!(place_suggestions("Saint-Denis").contains(&"Saint-Denis 93".to_string()));
        assert!(place_suggestions("Rennes").is_empty());
    }

    #[test]
    fn a_project_place_gives_its_position() {
        assert!(commune_position("Brest", "").is_some());
        assert!(commune_position("Brest", "France").is_some());
        assert_eq!(commune_position("Brest", "Biélorussie"), None);
        assert_eq!(commune_position("Saint-Denis", ""), None, "ambiguous");
        assert_eq!(commune_position("35190", ""), None, "several communes");
        let fields =
            crate::domain::projects::project_fields(&crate::domain::projects::ProjectInput {
                title: "Jumelage".into(),
                place: "Brest".into(),
                visibility: "public".into(),
                status: "looking".into(),
                join_mode: "request".into(),
                ..Default::default()
            })
            .unwrap();
        assert!((fields.latitude.unwrap() - 48.40).abs() < 0.05);
        assert!((fields.longitude.unwrap() + 4.50).abs() < 0.05);
    }
}
